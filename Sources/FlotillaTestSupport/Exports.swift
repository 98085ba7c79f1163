// Tests reach free ports and synthetic fleets through the test support they already import.
@_exported import FlotillaFixtures
