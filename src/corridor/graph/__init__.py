"""The compiled network: contiguous CSR arrays that every kernel reads."""
