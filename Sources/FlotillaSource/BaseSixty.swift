/// Int64 and Double arithmetic as Yams' base-60 reduction does it, nil where Int64 would trap.
protocol BaseSixty: ExpressibleByIntegerLiteral {
    func plus(_ other: Self) -> Self?
    func times(_ other: Self) -> Self?
}

extension Int64: BaseSixty {
    func plus(_ other: Int64) -> Int64? {
        let (r, o) = addingReportingOverflow(other)
        return o ? nil : r
    }
    func times(_ other: Int64) -> Int64? {
        let (r, o) = multipliedReportingOverflow(by: other)
        return o ? nil : r
    }
}

extension Double: BaseSixty {
    func plus(_ other: Double) -> Double? { self + other }
    func times(_ other: Double) -> Double? { self * other }
}
