//! Ids of the actors in the Aurora world.

crate::sim::id::typed_id!(
    /// An Availability Zone, by position in the topology's AZ list.
    AzId(u8),
    "az"
);
crate::sim::id::typed_id!(
    /// A storage node; node `i` of AZ `z` is `z * nodes_per_az + i`.
    NodeId(u32),
    "node"
);
crate::sim::id::typed_id!(
    /// A segment: one copy of one protection group on one node.
    SegmentId(u32),
    "seg"
);
crate::sim::id::typed_id!(
    /// A protection group: a 10 GiB slice of the volume, replicated six ways.
    PgId(u32),
    "pg"
);
crate::sim::id::typed_id!(
    /// A DB instance (writer or reader), in scenario order.
    InstanceId(u8),
    "inst"
);
crate::sim::id::typed_id!(
    /// An application client.
    ClientId(u32),
    "client"
);
