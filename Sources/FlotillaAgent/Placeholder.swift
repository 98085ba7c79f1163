enum _PlaceholderFlotillaAgent {}
