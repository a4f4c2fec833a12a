"""Appraisal: what each measure buys (benefits from re-running the loaded network), its
economics (NPV, BCR, EIRR) and the best portfolio under a budget (a MILP on HiGHS)."""
