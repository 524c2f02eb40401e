//! The event vocabulary: everything that can happen in the world, declared
//! once.
//!
//! Each kind is written in one place, [`events!`] below, with its trace
//! code, its trace name, its payload and its two trace operands (named, so
//! that `events.jsonl` and a checker's report say what the numbers are).
//! The `Event` enum, the fieldless [`Kind`] observers match on, the names,
//! the codes and the operands all follow from that one list, so adding an
//! event is one entry and a `dispatch` arm.
//!
//! The codes are part of the trace digest (`sim::trace`): a kind keeps its
//! code for as long as digests are compared across versions, and a new
//! kind is declared last with the next code: the list stays in code order
//! (a test checks).

use std::rc::Rc;

use super::network::Endpoint;
use super::storage::lsn::{Allocated, Batch, Lsn};
use super::storage::segment::{Gap, GossipPayload, ReadResult, RecoveryInfo};
use crate::model::config::Fault;
use crate::sim::{Place, SimTime};
use crate::vocab::ids::{AzId, ClientId, InstanceId, NodeId, PgId, SegmentId};
use crate::vocab::ClientError;

/// Declares the events: `code Variant "name" { fields } => [operand = expr, operand = expr];`.
/// The operand expressions see the fields by reference.
macro_rules! events {
    ($(
        $(#[doc = $doc:literal])*
        $code:literal $variant:ident $name:literal
            $({ $( $(#[doc = $fdoc:literal])* $field:ident : $ty:ty ),* $(,)? })?
            => [$an:literal = $a:expr, $bn:literal = $b:expr];
    )*) => {
        /// Everything that can happen, addressed to the actor that handles it.
        #[derive(Clone, Debug)]
        pub enum Event {
            $(
                $(#[doc = $doc])*
                $variant $({ $( $(#[doc = $fdoc])* $field: $ty ),* })?,
            )*
        }

        /// The kind of an event, without its payload: what observers
        /// match on.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum Kind {
            $(
                $(#[doc = $doc])*
                $variant = $code,
            )*
        }

        impl Kind {
            /// Every kind, in code order.
            pub const ALL: &'static [Kind] = &[$(Kind::$variant),*];

            /// The name in the trace (`events.jsonl`) and in reports.
            pub fn name(self) -> &'static str {
                match self { $(Kind::$variant => $name,)* }
            }

            /// What the kind is, in the vocabulary's words: its doc
            /// comment as one line.
            pub fn doc(self) -> String {
                let lines: &[&str] = match self { $(Kind::$variant => &[$($doc),*],)* };
                lines.iter().flat_map(|l| l.split_whitespace()).collect::<Vec<_>>().join(" ")
            }

            /// The kind named `name` in the trace.
            pub fn named(name: &str) -> Option<Kind> {
                Kind::ALL.iter().copied().find(|k| k.name() == name)
            }

            /// The names of the two trace operands (empty when unused).
            pub fn operands(self) -> [&'static str; 2] {
                match self { $(Kind::$variant => [$an, $bn],)* }
            }
        }

        impl Event {
            /// The kind of this event.
            #[inline]
            pub fn kind(&self) -> Kind {
                match self { $(Event::$variant { .. } => Kind::$variant,)* }
            }

            /// The two identifying operands that go into the trace.
            #[inline]
            #[allow(unused_variables)]
            fn operands(&self) -> [u64; 2] {
                match self {
                    $(Event::$variant $({ $($field),* })? => [$a, $b],)*
                }
            }
        }
    };
}

events! {
    /// The writer's group-commit timer: admit offered work, ship batches.
    1 GroupCommit "group_commit" => ["" = 0, "" = 0];
    /// A batch of redo records reaches a segment.
    2 Batch "batch" {
        /// The receiving segment.
        seg: SegmentId,
        /// The records.
        batch: Rc<Batch>,
    } => ["seg" = seg.0 as u64, "last" = batch.last().0];
    /// A page read reaches a segment.
    4 ReadRequest "read_request" {
        /// What is asked.
        ask: Box<ReadAsk>,
    } => ["seg" = ask.seg.0 as u64, "read" = u64::from(ask.read)];
    /// A segment's answer reaches the writer.
    5 ReadReply "read_reply" {
        /// The answer.
        answer: Box<ReadAnswer>,
    } => ["seg" = answer.seg.0 as u64, "read" = u64::from(answer.read)];
    /// A segment's gossip timer: ask a peer to fill a gap.
    6 GossipTimer "gossip_timer" {
        /// The segment with the gap.
        seg: SegmentId,
    } => ["seg" = seg.0 as u64, "" = 0];
    /// A gossip request reaches a peer.
    7 GossipPull "gossip_pull" {
        /// The peer asked.
        to: SegmentId,
        /// The asker.
        from: SegmentId,
        /// The asker's SCL.
        since: Lsn,
        /// The asker's gaps, lowest first: it holds the records between
        /// them, so the peer sends only what falls in one.
        gaps: Box<[Gap]>,
        /// The asker's epoch: the peer applies its truncations first.
        epoch: u32,
    } => ["seg" = to.0 as u64, "since" = since.0];
    /// A peer's records reach the asker.
    8 GossipPush "gossip_push" {
        /// The asker.
        to: SegmentId,
        /// What the peer sent.
        payload: Box<GossipPayload>,
        /// The newest epoch whose truncation the peer had applied.
        cut: u32,
    } => ["seg" = to.0 as u64, "" = 0];
    /// A segment's background materialization timer.
    9 Materialize "materialize" {
        /// The segment.
        seg: SegmentId,
    } => ["seg" = seg.0 as u64, "" = 0];
    /// The writers' housekeeping: read timeouts and write resends.
    10 Maintenance "maintenance" => ["" = 0, "" = 0];
    /// End of a timeline bin.
    11 BinEnd "bin_end" => ["" = 0, "" = 0];
    /// A scenario fault starts.
    12 FaultStart "fault_start" {
        /// The fault's place in the schedule.
        id: u32,
        /// What it does.
        fault: Box<Fault>,
    } => ["fault" = u64::from(*id), "" = 0];
    /// A scenario fault ends.
    13 FaultEnd "fault_end" {
        /// The fault's place in the schedule.
        id: u32,
        /// What it undoes.
        fault: Box<Fault>,
    } => ["fault" = u64::from(*id), "" = 0];
    /// Repair looks at a node that went down.
    14 RepairCheck "repair_check" {
        /// The node.
        node: NodeId,
        /// Its incarnation when it went down.
        incarnation: u32,
    } => ["node" = node.0 as u64, "" = 0];
    /// A replacement segment has finished copying.
    15 RepairDone "repair_done" {
        /// The PG being repaired.
        pg: PgId,
        /// Its membership epoch when the copy started.
        membership: u32,
    } => ["pg" = pg.0 as u64, "membership" = u64::from(*membership)];
    /// The control plane's health-check timer.
    16 HealthTick "health_tick" => ["" = 0, "" = 0];
    /// A health probe reaches an instance.
    17 HealthProbe "health_probe" {
        /// The instance probed.
        inst: InstanceId,
        /// The probe's number.
        seq: u32,
    } => ["instance" = inst.0 as u64, "probe" = u64::from(*seq)];
    /// An instance's answer reaches the control plane.
    18 HealthReply "health_reply" {
        /// The instance that answered.
        inst: InstanceId,
        /// The probe answered.
        seq: u32,
        /// Whether it can write: a writer whose I/O watchdog has not
        /// fired, a reader that reaches a write quorum of every PG.
        writes: bool,
        /// A writer whose I/O watchdog fired: when its writes last made
        /// progress, the moment it stopped being useful.
        stalled_since: Option<SimTime>,
    } => ["instance" = inst.0 as u64, "probe" = u64::from(*seq)];
    /// The control plane stops waiting for candidate readers.
    19 SelectionDone "selection_done" {
        /// The selection probe's number.
        seq: u32,
    } => ["probe" = u64::from(*seq), "" = 0];
    /// The control plane's order to stop writing reaches an instance.
    20 Demote "demote" {
        /// The instance.
        inst: InstanceId,
    } => ["instance" = inst.0 as u64, "" = 0];
    /// An instance's database process has started.
    21 InstanceUp "instance_up" {
        /// The instance.
        inst: InstanceId,
        /// The process started.
        incarnation: u32,
    } => ["instance" = inst.0 as u64, "process" = u64::from(*incarnation)];
    /// A recovering writer's probe reaches a segment.
    22 RecoveryProbe "recovery_probe" {
        /// The segment.
        seg: SegmentId,
        /// The new epoch.
        epoch: u32,
    } => ["seg" = seg.0 as u64, "epoch" = u64::from(*epoch)];
    /// A segment's answer reaches the recovering writer.
    23 RecoveryReply "recovery_reply" {
        /// The answer.
        reply: Box<RecoveryReply>,
    } => ["seg" = reply.seg.0 as u64, "epoch" = u64::from(reply.epoch)];
    /// Recovery resends probes to PGs without a read quorum of answers.
    24 RecoveryRetry "recovery_retry" {
        /// The epoch being established.
        epoch: u32,
    } => ["epoch" = u64::from(*epoch), "" = 0];
    /// Storage tells a writer that its epoch is stale.
    25 Fenced "fenced" {
        /// The stale epoch.
        epoch: u32,
    } => ["epoch" = u64::from(*epoch), "" = 0];
    /// The redo stream reaches a reader: the records VDL passed.
    26 RedoStream "redo_stream" {
        /// The reader.
        inst: InstanceId,
        /// The shipment, shared by every reader.
        redo: Rc<Redo>,
    } => ["instance" = inst.0 as u64, "vdl" = redo.vdl.0];
    /// A client's think, backoff or timeout timer.
    27 ClientTimer "client_timer" {
        /// The client.
        client: ClientId,
        /// The client step it belongs to.
        seq: u32,
    } => ["client" = client.0 as u64, "step" = u64::from(*seq)];
    /// A client's lookup reaches DNS.
    28 DnsQuery "dns_query" {
        /// The client.
        client: ClientId,
        /// Its step.
        seq: u32,
    } => ["client" = client.0 as u64, "step" = u64::from(*seq)];
    /// DNS answers a client.
    29 DnsAnswer "dns_answer" {
        /// The client.
        client: ClientId,
        /// Its step.
        seq: u32,
        /// The host and its address, or none (an empty answer).
        host: Option<(InstanceId, u32)>,
    } => ["client" = client.0 as u64, "step" = u64::from(*seq)];
    /// A connection attempt reaches an instance.
    30 Connect "connect" {
        /// Who connects.
        asker: Asker,
        /// Its step.
        seq: u32,
        /// The instance.
        inst: InstanceId,
        /// The address connected to: a re-created instance has a new one,
        /// and nothing answers at the old.
        address: u32,
    } => ["asker" = asker.trace(), "step" = u64::from(*seq)];
    /// An instance answers a connection attempt.
    31 Connected "connected" {
        /// Who connected.
        asker: Asker,
        /// Its step.
        seq: u32,
        /// The instance.
        inst: InstanceId,
        /// The process that accepted, or why it refused.
        accepted: Result<u32, ClientError>,
    } => ["asker" = asker.trace(), "step" = u64::from(*seq)];
    /// A client's request reaches an instance.
    32 Request "request" {
        /// The client.
        client: ClientId,
        /// Its step.
        seq: u32,
        /// The instance.
        inst: InstanceId,
        /// The process the connection belongs to.
        incarnation: u32,
        /// The proxy connection it travels on, if it came through the proxy.
        via: Option<Via>,
    } => ["client" = client.0 as u64, "step" = u64::from(*seq)];
    /// An answer reaches a client: from an instance, or from the proxy.
    33 Response "response" {
        /// The client.
        client: ClientId,
        /// Its step.
        seq: u32,
        /// The answer.
        answer: Answer,
    } => ["client" = client.0 as u64, "step" = u64::from(*seq)];
    /// A health probe went unanswered for a retransmission timeout: it is
    /// sent again.
    34 HealthResend "health_resend" {
        /// The probe's number.
        seq: u32,
        /// Resends before this one.
        attempt: u32,
    } => ["probe" = u64::from(*seq), "attempt" = u64::from(*attempt)];
    /// A new writer has rebuilt its state after storage recovery and
    /// opens for connections.
    35 WriterOpen "writer_open" {
        /// Its epoch.
        epoch: u32,
    } => ["epoch" = u64::from(*epoch), "" = 0];
    /// A replacement segment has copied one more chunk.
    36 RepairChunk "repair_chunk" {
        /// The PG being repaired.
        pg: PgId,
        /// Its membership epoch when the chunk was sent: a chunk of a
        /// change since rolled back is ignored.
        membership: u32,
    } => ["pg" = pg.0 as u64, "membership" = u64::from(*membership)];
    /// A connection is closed by its client (or the proxy).
    37 Disconnect "disconnect" {
        /// The instance.
        inst: InstanceId,
        /// The process it was open to.
        incarnation: u32,
    } => ["inst" = u64::from(inst.0), "incarnation" = u64::from(*incarnation)];
    /// A pool's check of a borrowed connection reaches its instance.
    38 Ping "ping" {
        /// The borrowing client.
        client: ClientId,
        /// Its step.
        seq: u32,
        /// The instance.
        inst: InstanceId,
        /// The process the connection belongs to.
        incarnation: u32,
    } => ["client" = client.0 as u64, "step" = u64::from(*seq)];
    /// A pool has a connection for a waiting client.
    39 PoolReady "pool_ready" {
        /// The client.
        client: ClientId,
        /// Its step.
        seq: u32,
    } => ["client" = client.0 as u64, "step" = u64::from(*seq)];
    /// A question about the cluster's topology reaches an instance.
    40 TopologyQuery "topology_query" {
        /// Who asks: a driver, or the proxy's monitor.
        asker: Asker,
        /// Its step or round.
        seq: u32,
        /// The instance asked.
        inst: InstanceId,
    } => ["asker" = asker.trace(), "inst" = u64::from(inst.0)];
    /// An instance's answer about the topology.
    41 Topology "topology" {
        /// Who asked.
        asker: Asker,
        /// Its step or round.
        seq: u32,
        /// The instance answering.
        inst: InstanceId,
        /// The writer open for writes, if one is.
        writer: Option<InstanceId>,
    } => ["asker" = asker.trace(), "inst" = u64::from(inst.0)];
    /// A client's request reaches its proxy node.
    42 ProxyRequest "proxy_request" {
        /// The client.
        client: ClientId,
        /// Its step.
        seq: u32,
        /// The node's AZ.
        node: AzId,
        /// The client's AZ.
        from: AzId,
    } => ["client" = client.0 as u64, "step" = u64::from(*seq)];
    /// An instance's answer to a proxied request reaches the proxy.
    43 BackendResponse "backend_response" {
        /// The proxy connection it came back on.
        slot: u32,
        /// The client.
        client: ClientId,
        /// Its step.
        seq: u32,
        /// The answer.
        answer: Answer,
    } => ["client" = client.0 as u64, "step" = u64::from(*seq)];
    /// The proxy's health-check timer.
    44 ProxyTick "proxy_tick" => ["" = 0, "" = 0];
    /// A request queued at the proxy has waited its borrow timeout.
    45 ProxyBorrowTimeout "proxy_borrow_timeout" {
        /// The client.
        client: ClientId,
        /// Its step.
        seq: u32,
    } => ["client" = client.0 as u64, "step" = u64::from(*seq)];
    /// A connection's close that the network dropped is sent again, as
    /// TCP retransmits a FIN.
    46 CloseRetransmit "close_retransmit" {
        /// The end that closes.
        from: Endpoint,
        /// The instance.
        inst: InstanceId,
        /// The process it was open to.
        incarnation: u32,
        /// Retransmissions so far, this one included.
        attempt: u32,
    } => ["inst" = u64::from(inst.0), "attempt" = u64::from(*attempt)];
    /// The acknowledgement that moves a PG's PGCL reaches the writer of
    /// its epoch, which hears the others as they arrive, without an event
    /// of their own (`model::compute::inbox`). Only for the PG that pins
    /// VCL, or one with records waiting to ship: the writer settles any
    /// other PGCL move, as of its own place, before the next event,
    /// without an event.
    47 Quorum "quorum" {
        /// The writer's epoch.
        epoch: u32,
        /// The PG.
        pg: PgId,
    } => ["pg" = pg.0 as u64, "epoch" = u64::from(*epoch)];
    /// Zero-downtime patching's next step on an instance: while it
    /// quiesces, another look for a quiet point; once its engine has
    /// restarted, the held requests go on.
    48 Patch "patch" {
        /// The instance.
        inst: InstanceId,
        /// Its process.
        incarnation: u32,
    } => ["instance" = inst.0 as u64, "process" = u64::from(*incarnation)];
    /// The new host a planned class change created is ready: the control
    /// plane moves the instance's database to it.
    49 HostReady "host_ready" {
        /// The class change (its index among the scenario's faults).
        fault: u32,
    } => ["fault" = u64::from(*fault), "" = 0];
    /// A global database's replication server sends each secondary region
    /// what the primary's storage made durable since its last send.
    50 ReplicationTick "replication_tick" => ["" = 0, "" = 0];
    /// What the replication server sent is stored in a secondary region:
    /// its agent has written it to a write quorum of that region's copies.
    51 RegionStored "region_stored" {
        /// The secondary region.
        region: u8,
        /// The link's state it was sent under; a cut since then lost it.
        link: u32,
        /// Everything up to here is now in the region.
        upto: Lsn,
        /// The earliest the oldest redo it carries can have become
        /// durable on the primary.
        since: SimTime,
    } => ["region" = u64::from(*region), "upto" = upto.0];
    /// A secondary region's reader asks a copy of its region's volume for
    /// a page its buffer cache lacks.
    52 RegionRead "region_read" {
        /// The node holding the copy.
        node: NodeId,
        /// The reader.
        inst: InstanceId,
        /// The client whose read it is.
        read: u32,
        /// The reader's attempt number for that read.
        attempt: u32,
    } => ["node" = node.0 as u64, "client" = u64::from(*read)];
    /// The page a secondary region's reader asked its region's copy for.
    53 RegionReadReply "region_read_reply" {
        /// The reader.
        inst: InstanceId,
        /// The client whose read it is.
        read: u32,
        /// The reader's attempt number for that read.
        attempt: u32,
    } => ["instance" = inst.0 as u64, "client" = u64::from(*read)];
    /// The writer's answer to a write a secondary region's reader forwarded
    /// reaches that reader.
    54 ForwardedAnswer "forwarded_answer" {
        /// The reader that forwarded it.
        inst: InstanceId,
        /// The client whose write it is.
        client: ClientId,
        /// Its step.
        seq: u32,
        /// Committed, or why not.
        answer: Answer,
        /// The commit's LSN (zero when it failed).
        commit: Lsn,
    } => ["client" = client.0 as u64, "commit" = commit.0];
    /// A blue/green switchover looks whether green has caught up.
    55 SwitchoverLook "switchover_look" => ["" = 0, "" = 0];
    /// A secondary region's reader asks the writer for the point its read
    /// at `global` consistency must reach: the writer's VDL now.
    56 GlobalPointAsk "global_point_ask" {
        /// The writer asked.
        writer: InstanceId,
        /// The reader asking.
        inst: InstanceId,
        /// The client whose read it is.
        client: ClientId,
        /// Its step.
        seq: u32,
    } => ["instance" = inst.0 as u64, "client" = client.0 as u64];
    /// The writer's VDL reaches the reader that asked for it.
    57 GlobalPoint "global_point" {
        /// The reader that asked.
        inst: InstanceId,
        /// The client whose read it is.
        client: ClientId,
        /// Its step.
        seq: u32,
        /// The writer's VDL when it answered.
        vdl: Lsn,
    } => ["client" = client.0 as u64, "vdl" = vdl.0];
    /// Each Aurora Serverless v2 instance's capacity is set anew from its
    /// load, and idle ones pause.
    58 ScaleTick "scale_tick" => ["" = 0, "" = 0];
    /// A paused Aurora Serverless v2 instance has resumed.
    59 Resumed "resumed" {
        /// The instance.
        inst: InstanceId,
        /// The process that was paused.
        incarnation: u32,
    } => ["instance" = inst.0 as u64, "incarnation" = u64::from(*incarnation)];
    /// Replica auto scaling takes its minute's datapoint.
    60 AutoScalingTick "autoscaling_tick" => ["" = 0, "" = 0];
}

/// A segment's acknowledgement of its SCL, on its way to the writer of
/// its epoch, which takes it in when it arrives.
#[derive(Clone, Copy, Debug)]
pub struct AckInFlight {
    /// The epoch of the writer it answers.
    pub epoch: u32,
    /// The segment's PG.
    pub pg: PgId,
    /// When it arrives, and its place among what happens at that instant.
    pub at: Place,
    /// The acknowledging segment.
    pub seg: SegmentId,
    /// Its node.
    pub node: NodeId,
    /// Its SCL once its persist completed.
    pub scl: Lsn,
    /// Its node's incarnation when it left.
    pub incarnation: u32,
}

/// How an instance answered a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// Done: committed, or read.
    Ok,
    /// Failed.
    Failed(ClientError),
}

/// What a request travels through on its way from the client: the
/// answer goes back the same way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    /// A proxy connection: back to the node that holds it, whatever node
    /// the client has moved to since.
    Proxy {
        /// The proxy node's AZ.
        node: AzId,
        /// The connection's slot at the proxy.
        slot: u32,
    },
    /// A secondary region's reader that forwarded the client's write.
    Forwarder {
        /// The reader.
        inst: InstanceId,
        /// Its AZ.
        az: AzId,
    },
}

/// One shipment of the redo stream to a reader.
#[derive(Debug)]
pub struct Redo {
    /// The epoch of the writer that sent it.
    pub epoch: u32,
    /// The VDL it brings the reader to.
    pub vdl: Lsn,
    /// When the writer's VDL reached it.
    pub vdl_at: SimTime,
    /// The records VDL passed since the previous shipment, in LSN order.
    pub records: Vec<Allocated>,
}

/// Who asks an instance for a connection or for the topology.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Asker {
    /// An application client (a driver, for the topology).
    Client(ClientId),
    /// One of the proxy's database connections, by its slot.
    Backend(u32),
    /// The proxy's health monitor.
    Monitor,
}

impl Asker {
    /// One number for the trace: the client, or a tag above every client.
    pub fn trace(&self) -> u64 {
        match *self {
            Asker::Client(c) => u64::from(c.0),
            Asker::Backend(s) => (1 << 32) | u64::from(s),
            Asker::Monitor => 2 << 32,
        }
    }
}

/// An event as observers and the trace see it: its kind and its two named
/// operands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seen {
    /// What happened.
    pub kind: Kind,
    /// The operands, named by [`Kind::operands`].
    pub operands: [u64; 2],
}

impl Seen {
    /// What the trace digest is fed: the code, then the operands.
    #[inline]
    pub(crate) fn words(self) -> [u64; 3] {
        [self.kind as u64, self.operands[0], self.operands[1]]
    }
}

impl std::fmt::Display for Seen {
    /// `batch seg=3 last=120`: the name and the operands that are used.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.kind.name())?;
        for (name, value) in self.named() {
            write!(f, " {name}={value}")?;
        }
        Ok(())
    }
}

impl Seen {
    /// The operands the kind uses, with their names.
    pub fn named(self) -> impl Iterator<Item = (&'static str, u64)> {
        let names = self.kind.operands();
        names
            .into_iter()
            .zip(self.operands)
            .filter(|(name, _)| !name.is_empty())
    }

    /// The used operands as JSON members, for the trace:
    /// `,"seg":3,"last":120`.
    pub(crate) fn json_operands(self) -> impl std::fmt::Display {
        struct Members(Seen);
        impl std::fmt::Display for Members {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                for (name, value) in self.0.named() {
                    write!(f, ",\"{name}\":{value}")?;
                }
                Ok(())
            }
        }
        Members(self)
    }
}

impl Event {
    /// What observers and the trace are shown of this event.
    #[inline]
    pub fn seen(&self) -> Seen {
        Seen {
            kind: self.kind(),
            operands: self.operands(),
        }
    }
}

/// A page read as sent to one segment.
#[derive(Debug, Clone, Copy)]
pub struct ReadAsk {
    /// The segment asked.
    pub seg: SegmentId,
    /// The epoch of the asking writer, or of the writer whose stream the
    /// asking reader follows.
    pub epoch: u32,
    /// The writer's read slot.
    pub read: u32,
    /// The attempt this request belongs to.
    pub attempt: u32,
    /// Page within the PG.
    pub page: u32,
    /// Read point.
    pub point: Lsn,
    /// The PG's last record at or below the read point.
    pub need: Lsn,
    /// The reader asking, for a read through the reader endpoint (then
    /// `read` is the client's id); `None` for a writer's read.
    pub reader: Option<InstanceId>,
}

/// A segment's answer to a [`ReadAsk`].
#[derive(Debug, Clone, Copy)]
pub struct ReadAnswer {
    /// The epoch of the asking writer, or of the writer whose stream the
    /// asking reader follows.
    pub epoch: u32,
    /// The writer's read slot.
    pub read: u32,
    /// The attempt answered.
    pub attempt: u32,
    /// The answering segment.
    pub seg: SegmentId,
    /// The answer.
    pub result: ReadResult,
    /// The reader that asked, if a reader did.
    pub reader: Option<InstanceId>,
}

/// A segment's answer to a recovery probe.
#[derive(Debug, Clone)]
pub struct RecoveryReply {
    /// The answering segment.
    pub seg: SegmentId,
    /// The epoch it adopted.
    pub epoch: u32,
    /// Its node's incarnation when it answered.
    pub incarnation: u32,
    /// What it holds.
    pub info: RecoveryInfo,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_have_distinct_codes_in_declaration_order_and_names() {
        let codes: Vec<u8> = Kind::ALL.iter().map(|&k| k as u8).collect();
        for pair in codes.windows(2) {
            assert!(
                pair[0] < pair[1],
                "code {} is declared after {}: codes rise in declaration order, with no repeats",
                pair[1],
                pair[0]
            );
        }
        let mut names: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Kind::ALL.len());
    }

    #[test]
    fn an_event_shows_its_named_operands() {
        let e = Event::GossipPull {
            to: SegmentId(3),
            from: SegmentId(4),
            since: Lsn(120),
            gaps: Box::new([Lsn(120)..=Lsn(130)]),
            epoch: 2,
        };
        assert_eq!(e.seen().words(), [7, 3, 120]);
        assert_eq!(e.seen().to_string(), "gossip_pull seg=3 since=120");
        assert_eq!(Event::GroupCommit.seen().to_string(), "group_commit");
    }
}
