"""The IVIG demo content as data (ivig.yaml) and the loader that reads and checks it."""
