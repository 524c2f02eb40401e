//! No acknowledged commit is lost, as long as no PG has more than
//! `copies − read_quorum` of its members lost for good at once (AZ+1 for
//! 4/6 writes and 3/6 reads; a repaired copy is a member again): every recovery finds every commit acknowledged before it, every
//! read returns the committed page state, and the storage left at the end
//! can rebuild every acknowledged commit (checked in `Checks::finish`).
//!
//! The checker keeps its own evidence, from the model's notes: which
//! records each writer's VDL passed, which commits it acknowledged, what
//! each recovery reached and truncated. From these it decides what is
//! committed and folds its own truth — every page's state as the
//! committed records left it — and judges reads and recoveries by it.
//!
//! A global database that may promote a region can lose what the primary
//! made durable beyond what that region stored. So that the truth can lose
//! it too, committed records wait in a tail, folded into the truth only
//! once every reachable secondary stores them (the world's replication
//! floor); a read is judged against the truth with the tail applied. At a
//! failover, commits acknowledged beyond the promotion point are counted
//! as lost to the RPO, apart from the invariant; at a switchover there may
//! be none.

use std::collections::{BTreeMap, VecDeque};

use crate::model::config::FaultKind;
use crate::model::storage::lsn::Lsn;
use crate::model::storage::page::PageMap;
use crate::model::workload::WorkingSet;
use crate::model::{Kind, Note, Seen, World};
use crate::sim::SimTime;

#[derive(Clone)]
pub(super) struct Durability {
    not_applicable: Option<String>,
    /// Nodes lost for good, once their fault has struck.
    destroyed: Vec<bool>,
    /// Members of a PG that may be lost for good without losing data.
    tolerable: u32,
    records_per_commit: u64,
    /// The committed truth: every committed record folded into its page.
    truth: PageMap,
    /// Where each page lives in the truth.
    working_set: WorkingSet,
    /// By epoch: its VDL, the highest of its recovered VDL and the
    /// commits it acknowledged.
    vdl: Vec<Lsn>,
    /// By epoch: the VDL of the recovery that superseded it.
    superseded: Vec<Option<Lsn>>,
    /// Truncated ranges, (recovered VDL, resume): nothing strictly inside.
    truncations: Vec<(Lsn, Lsn)>,
    /// The newest epoch whose recovery finished (epoch 1 needs none).
    newest_recovered: u32,
    /// The expected content of each read in flight, by (epoch, slot).
    reads: BTreeMap<(u32, u32), u64>,
    /// Acknowledged commits that recoveries did not find.
    pub lost_at_recovery: u64,
    /// Reads that returned the committed state, and those that did not.
    pub reads_correct: u64,
    pub reads_wrong: u64,
    /// Commits a superseded writer acknowledged above its successor's
    /// recovered VDL (split brain).
    pub split_brain: u64,
    /// Committed records not yet stored by every reachable secondary of a
    /// global database that may promote a region, in the order committed:
    /// (LSN, page); `None` when no promotion may come.
    tail: Option<VecDeque<(Lsn, u64)>>,
    /// The point of the last promotion not yet recovered from.
    promoted_at: Option<Lsn>,
    /// Acknowledged commits a global failover gave up: its RPO.
    pub lost_to_rpo: u64,
}

/// What one event's notes showed.
#[derive(Default)]
pub(super) struct Findings {
    /// A commit lost or a wrong read: durability.
    pub lost: Option<String>,
    /// A split-brain commit: one writer per epoch.
    pub split_brain: Option<String>,
}

impl Durability {
    pub(super) fn new(world: &World) -> Durability {
        let q = &world.volume().quorum;
        let nodes = world.volume().nodes.len();
        Durability {
            not_applicable: None,
            destroyed: vec![false; nodes],
            tolerable: q.copies() - q.read().min(q.copies()),
            records_per_commit: world.config().workload.records_per_commit as u64,
            truth: PageMap::default(),
            working_set: {
                let c = world.config();
                let wl = &c.workload;
                WorkingSet::new(wl.working_set_pages, wl.pages_per_pg, c.storage.pgs)
            },
            vdl: Vec::new(),
            superseded: Vec::new(),
            truncations: Vec::new(),
            newest_recovered: 1,
            reads: BTreeMap::new(),
            lost_at_recovery: 0,
            reads_correct: 0,
            reads_wrong: 0,
            split_brain: 0,
            tail: world.config().promotes_regions().then(VecDeque::new),
            promoted_at: None,
            lost_to_rpo: 0,
        }
    }

    /// A fault started or a repair finished: if a PG now has more of its
    /// members on nodes lost for good than a read quorum can spare, its
    /// data may be gone by the model's own rules, and from now on the
    /// invariant is not applicable (said once, with the PG). The members
    /// are those of the moment: a repair that replaced a lost copy before
    /// the next loss leaves the PG within the premise.
    pub(super) fn premise(&mut self, world: &World, now: SimTime, event: Seen) -> Option<String> {
        if event.kind == Kind::FaultStart {
            let cfg = world.config();
            let fault = &cfg.faults[event.operands[0] as usize];
            let per_az = cfg.topology.nodes_per_az as usize;
            match (fault.duration, &fault.kind) {
                (None, FaultKind::NodeCrash(n)) => self.destroyed[n.index()] = true,
                (None, FaultKind::AzOutage(az)) => {
                    self.destroyed[az.index() * per_az..(az.index() + 1) * per_az].fill(true);
                }
                // The volume moved to the promoted region's nodes: some may
                // be lost for good already.
                (_, FaultKind::RegionPromotion { .. }) => {}
                _ => return None,
            }
        }
        if self.not_applicable.is_some() {
            return None;
        }
        let volume = world.volume();
        let (lost, pg) = volume
            .pgs
            .iter()
            .enumerate()
            .map(|(pg, g)| {
                let lost = g
                    .members
                    .iter()
                    .filter(|&&s| self.destroyed[volume.segments[s.index()].node.index()])
                    .count() as u32;
                (lost, pg)
            })
            .max()?;
        if lost <= self.tolerable {
            return None;
        }
        let why = format!(
            "from {:.3} s PG {pg} has lost {lost} of {} segments for good, more than copies − read quorum = {}",
            now.as_secs_f64(),
            volume.quorum.copies(),
            self.tolerable
        );
        self.not_applicable = Some(why.clone());
        Some(why)
    }

    /// Makes room for `epoch` in the per-epoch tables.
    #[inline]
    fn epoch(&mut self, epoch: u32) -> usize {
        let e = epoch as usize;
        if self.vdl.len() <= e {
            self.vdl.resize(e + 1, Lsn(0));
            self.superseded.resize(e + 1, None);
        }
        e
    }

    /// Takes in the event's notes; returns the first durability violation
    /// and the first split-brain commit they show.
    #[inline]
    pub(super) fn after(&mut self, world: &World) -> Option<Findings> {
        // Most events state nothing.
        let notes = world.notes();
        if notes.is_empty() {
            return None;
        }
        let mut found = Findings::default();
        for &note in notes {
            self.note(note, &mut found);
        }
        if self.tail.is_some() {
            if let Some(floor) = world.replication_floor() {
                self.fold_tail(|lsn| (lsn <= floor).then_some(true));
            }
        }
        Some(found)
    }

    /// Folds the tail's records into the truth from its front while
    /// `keep` says what to do with each: fold it (`Some(true)`), drop it
    /// (`Some(false)`), or stop (`None`).
    fn fold_tail(&mut self, keep: impl Fn(Lsn) -> Option<bool>) {
        let Some(tail) = self.tail.as_mut() else {
            return;
        };
        while let Some(&(lsn, page)) = tail.front() {
            match keep(lsn) {
                None => break,
                Some(fold) => {
                    if fold {
                        self.truth.apply(page, lsn);
                    }
                    tail.pop_front();
                }
            }
        }
    }

    /// A page's committed state: the truth, with the tail applied.
    fn committed(&self, page: u64) -> u64 {
        let folded = self.truth.get(page);
        self.tail.as_ref().map_or(folded, |tail| {
            tail.iter()
                .filter(|&&(_, p)| p == page)
                .fold(folded, |c, &(lsn, _)| {
                    crate::model::storage::page::fold(c, lsn)
                })
        })
    }

    #[inline]
    fn note(&mut self, note: Note, found: &mut Findings) {
        let lost = |found: &mut Findings, d: String| {
            found.lost.get_or_insert(d);
        };
        match note {
            Note::Passed {
                epoch,
                lsn,
                pg,
                page,
            } => {
                let e = self.epoch(epoch);
                // A superseded writer's records are the truth only as the
                // recovery that superseded it settled them: at or below
                // its VDL, outside every truncated range.
                let committed = match self.superseded[e] {
                    None => true,
                    Some(vdl) => {
                        lsn <= vdl && !self.truncations.iter().any(|&(a, b)| lsn > a && lsn < b)
                    }
                };
                if committed {
                    let page = self.working_set.index(pg, page);
                    match self.tail.as_mut() {
                        Some(tail) => tail.push_back((lsn, page)),
                        None => self.truth.apply(page, lsn),
                    }
                }
            }
            Note::Acknowledged { epoch, lsn } => {
                let e = self.epoch(epoch);
                self.vdl[e] = self.vdl[e].max(lsn);
                // Above the VDL its successor recovered: storage will not
                // keep it.
                if self.superseded[e].is_some_and(|vdl| lsn > vdl) {
                    self.split_brain += 1;
                    found.split_brain.get_or_insert(format!(
                        "a superseded writer acknowledged a commit above its successor's VDL ({} so far)",
                        self.split_brain
                    ));
                }
            }
            Note::ReadIssued {
                epoch,
                read,
                pg,
                page,
            } => {
                let page = self.working_set.index(pg, page);
                self.reads.insert((epoch, read), self.committed(page));
            }
            Note::ReadAnswered {
                epoch,
                read,
                content,
            } => {
                let expected = self.reads.remove(&(epoch, read));
                if expected == Some(content) {
                    self.reads_correct += 1;
                } else {
                    self.reads_wrong += 1;
                    let d = "a read returned a page state that was never committed";
                    lost(found, d.to_owned());
                }
            }
            Note::Recovered { epoch, vdl, resume } => {
                if let Some(d) = self.recovered(epoch, vdl, resume) {
                    lost(found, d);
                }
            }
            Note::RegionPromoted { upto, allow_loss } => {
                if let Some(d) = self.promoted(upto, allow_loss) {
                    lost(found, d);
                }
            }
        }
    }

    /// A global database promoted another region with the log up to
    /// `upto`: every writer so far is superseded there; what they
    /// acknowledged beyond it is lost, to the RPO of a failover
    /// (`allow_loss`) or, at a switchover, in violation.
    fn promoted(&mut self, upto: Lsn, allow_loss: bool) -> Option<String> {
        self.fold_tail(|lsn| Some(lsn <= upto));
        self.promoted_at = Some(upto);
        let mut lost = 0;
        for e in 0..self.vdl.len() {
            if self.superseded[e].is_none() {
                lost += self.commits_between(upto, self.vdl[e]);
            }
            if self.superseded[e].is_none_or(|s| s > upto) {
                self.superseded[e] = Some(upto);
            }
            self.vdl[e] = self.vdl[e].min(upto);
        }
        if allow_loss {
            self.lost_to_rpo += lost;
            return None;
        }
        self.lost_at_recovery += lost;
        (lost > 0).then(|| {
            format!(
                "a switchover promoted a region at LSN {} below {lost} acknowledged commit(s)",
                upto.0
            )
        })
    }

    /// A recovery opened `epoch` at `vdl`: commits older writers
    /// acknowledged above it are lost; their records at or below it (and
    /// outside truncated ranges) became committed.
    fn recovered(&mut self, epoch: u32, vdl: Lsn, resume: Lsn) -> Option<String> {
        let new = self.epoch(epoch);
        let before = self.lost_at_recovery;
        for e in 0..new {
            if self.superseded[e].is_none() {
                self.lost_at_recovery += self.commits_between(vdl, self.vdl[e]);
            }
            self.superseded[e].get_or_insert(vdl);
        }
        // The first recovery after a promotion must find its point.
        if let Some(upto) = self.promoted_at.take() {
            self.lost_at_recovery += self.commits_between(vdl, upto);
        }
        // Its truncated range counts from now: the losses above were of
        // records older writers acknowledged in it.
        self.truncations.push((vdl, resume));
        self.vdl[new] = vdl;
        self.newest_recovered = epoch;
        let lost = self.lost_at_recovery - before;
        (lost > 0).then(|| {
            format!(
                "recovery under epoch {epoch} reached VDL {} below {lost} acknowledged commit(s)",
                vdl.0
            )
        })
    }

    /// Acknowledged commits a recovery from the storage left at the end,
    /// reaching `recoverable`, could not rebuild, beside those recoveries
    /// already lost.
    pub(super) fn lost(&self, recoverable: Lsn) -> u64 {
        let vdl = self
            .vdl
            .get(self.newest_recovered as usize)
            .copied()
            .unwrap_or(Lsn(0));
        self.commits_between(recoverable, vdl) + self.lost_at_recovery
    }

    /// The commits whose records lie above `low` up to `high`: LSNs are
    /// dense except in the ranges recoveries truncated, which hold none.
    fn commits_between(&self, low: Lsn, high: Lsn) -> u64 {
        if high <= low {
            return 0;
        }
        let skipped: u64 = self
            .truncations
            .iter()
            .map(|&(above, resume)| {
                // Strictly inside (above, resume): nothing exists there.
                let from = above.0.max(low.0);
                let to = resume.0.saturating_sub(1).min(high.0);
                to.saturating_sub(from)
            })
            .sum();
        (high.0 - low.0).saturating_sub(skipped) / self.records_per_commit
    }
}
