"""Per-op test cases of the nn family (tools/export_op_cases.py). cases(Case) returns them."""


def cases(Case):
    return []
