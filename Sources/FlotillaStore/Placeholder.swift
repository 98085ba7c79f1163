enum _PlaceholderFlotillaStore {}
