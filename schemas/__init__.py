"""Feed contracts (one YAML per feed) and everything derived from them."""
