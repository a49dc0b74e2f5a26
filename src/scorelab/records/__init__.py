"""What sources write down about persons: here, the identities they saw (for linkage)."""
