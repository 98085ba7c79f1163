enum _PlaceholderFlotillaTestSupport {}
