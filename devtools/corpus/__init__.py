"""A synthetic corpus for load tests and benchmarks (``manage.py generate_corpus``)."""
