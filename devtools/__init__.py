"""Development tools that are not part of the product: the synthetic corpus for load tests
and benchmarks (``manage.py generate_corpus``). Installed by the local, test and bench
settings only, never by production."""
