"""Cross-agency linkage of victims (warehouse.md, Linkage): deterministic references first, then
Splink on the keyed tokens for what is left; victim keys derived from record identifiers; quality
measured against the synthetic generator's ground truth."""
