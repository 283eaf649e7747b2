"""The `make bench` harness: gunicorn + wrk over the benchmark corpus, query counts,
EXPLAIN ANALYZE, the citation refresh and PubMed parsing benchmarks, the mixed load, and
docs/benchmarks.md. Entry points: bench/run_all.py and bench/load_mixed.py."""
