"""Webhooks (NOTES §9, a sandbox feature outside the 2026-01 wire contract): the receiver kit that judges an
integrator's receiver, and the loopback receiver a server run subscribes to judge a target's deliveries."""
