// libtorch's random generator is process-global: tests that seed it and train must not interleave with
// tests that draw from it, or "same seed, same result" (which several tests assert) would not hold.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
