"""The lab: what measures and trains the assistant from outside.

Benchmarks, NLU evaluation, fuzzing, load tests, studies, the retrain gate and the build of the
models the product ships (`lab.shipped`). It drives the product and the simulator; nothing in
`assistant/` imports it (the command line is the one place that sees both).
"""
