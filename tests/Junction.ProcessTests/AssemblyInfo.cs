// Every test here starts real junction processes (and PostgreSQL, brokers) and some measure timing-sensitive
// behaviour (probes within a timeout, leases expiring); run in parallel on a 2-core machine they starved each other
// and a probe timed out now and then. One at a time, each gets the machine it was written for.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
