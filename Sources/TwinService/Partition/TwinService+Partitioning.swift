import Foundation
import TwinPartition
import TwinStorage

extension TwinService {
    /// How a service instance shares a plant with others: it serves only the lines it holds a lease on (see
    /// docs/scale-out.md), with the twins of the shared storage.
    public struct Partitioning: Sendable {
        /// This instance's name among the others (`--instance`, by default `host:pid`).
        public var instance: String
        /// Where the instances keep their heartbeats and leases (the twins' PostgreSQL database).
        public var leases: any LeaseStore
        /// How long a lease lasts, and so how soon a dead instance's lines are taken over.
        public var terms: LeaseTerms

        /// - Parameters:
        ///   - instance: this instance's name, unique among the instances.
        ///   - leases: the shared lease store.
        ///   - terms: the lease's duration (10 s unless told).
        public init(instance: String, leases: any LeaseStore, terms: LeaseTerms = LeaseTerms()) {
            self.instance = instance
            self.leases = leases
            self.terms = terms
        }

        /// `host:pid`: unique on a host, and different after a restart (the old instance's leases lapse, or were released).
        public static var defaultInstance: String {
            "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"
        }
    }
}
