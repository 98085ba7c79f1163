enum _PlaceholderFlotillaHub {}
