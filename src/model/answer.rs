//! How an answer reaches whoever asked: a client's request is answered
//! straight to the client, back through the proxy connection that
//! carried it, or back to the secondary region's reader that forwarded it.

use super::context::Ctx;
use super::event::{Answer, Event, Via};
use super::network::Endpoint;
use super::storage::lsn::Lsn;
use crate::model::config::Consistency;
use crate::sim::SimTime;
use crate::vocab::ids::ClientId;

/// Who waits for the answer to a request: a client's step, reached
/// directly or through a proxy connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Caller {
    /// The client.
    pub client: ClientId,
    /// Its step.
    pub seq: u32,
    /// The proxy connection it came on, or the reader that forwarded it.
    pub via: Option<Via>,
}

impl Caller {
    /// A client's own request.
    pub fn direct(client: ClientId, seq: u32) -> Self {
        Caller {
            client,
            seq,
            via: None,
        }
    }
}

/// What a client's requests ask of the instance they reach, by its group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ask {
    /// A commit, of the writer.
    Commit,
    /// A read, of whichever instance it reaches.
    Read,
    /// A write that a secondary region's reader forwards to the writer,
    /// then a read there at this consistency.
    Forward(Consistency),
}

/// Each client's network end and what it asks, fixed by the scenario:
/// what an instance needs to answer a client's request.
#[derive(Clone, Debug, Default)]
pub(crate) struct Callers {
    ends: Vec<Endpoint>,
    asks: Vec<Ask>,
    groups: Vec<usize>,
}

impl Callers {
    /// Each client's end, what its group asks and its group, in client
    /// order.
    pub fn new(clients: impl Iterator<Item = (Endpoint, Ask, usize)>) -> Self {
        let mut callers = Callers::default();
        for (end, ask, group) in clients {
            callers.ends.push(end);
            callers.asks.push(ask);
            callers.groups.push(group);
        }
        callers
    }

    /// Client `c`'s group.
    #[inline]
    pub fn group(&self, c: ClientId) -> usize {
        self.groups[c.index()]
    }

    /// Where client `c` is.
    #[inline]
    pub fn end(&self, c: ClientId) -> Endpoint {
        self.ends[c.index()]
    }

    /// What client `c` asks.
    #[inline]
    pub fn ask(&self, c: ClientId) -> Ask {
        self.asks[c.index()]
    }
}

/// Sends an instance's answer to a client, now.
pub(crate) fn answer_client(
    cx: &mut Ctx,
    from: Endpoint,
    callers: &Callers,
    caller: Caller,
    answer: Answer,
) {
    answer_client_at(cx, cx.now(), from, callers, caller, answer);
}

/// The writer acknowledges `caller`'s commit at `commit`: a reader that
/// forwarded the write learns where it is in the log.
pub(crate) fn acknowledge_commit(
    cx: &mut Ctx,
    from: Endpoint,
    callers: &Callers,
    caller: Caller,
    commit: Lsn,
) {
    send_answer(cx, cx.now(), from, callers, caller, (Answer::Ok, commit));
}

/// Sends `answer` to `caller` at `at`, once the work behind it is done:
/// straight to the client, back to the proxy node whose connection
/// carried the request, or back to the reader that forwarded it.
pub(crate) fn answer_client_at(
    cx: &mut Ctx,
    at: SimTime,
    from: Endpoint,
    callers: &Callers,
    caller: Caller,
    answer: Answer,
) {
    send_answer(cx, at, from, callers, caller, (answer, Lsn(0)));
}

fn send_answer(
    cx: &mut Ctx,
    at: SimTime,
    from: Endpoint,
    callers: &Callers,
    caller: Caller,
    (answer, commit): (Answer, Lsn),
) {
    let Caller { client, seq, via } = caller;
    match via {
        Some(Via::Forwarder { inst, az }) => {
            let forwarded = Event::ForwardedAnswer {
                inst,
                client,
                seq,
                answer,
                commit,
            };
            cx.send(at, from, Endpoint::Instance(inst, az), forwarded);
        }
        Some(Via::Proxy { node, slot }) => {
            let response = Event::BackendResponse {
                slot,
                client,
                seq,
                answer,
            };
            cx.send(at, from, Endpoint::Proxy(node), response);
        }
        None => {
            let response = Event::Response {
                client,
                seq,
                answer,
            };
            cx.send(at, from, callers.end(client), response);
        }
    }
}
