//! How an answer reaches whoever asked: a client's request is answered
//! straight to the client, or back through the proxy connection that
//! carried it.

use super::context::Ctx;
use super::event::{Answer, Event, Via};
use super::network::Endpoint;
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
    /// The proxy connection it came on, if it came through the proxy.
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

/// Each client's network end and whether it reads, fixed by the
/// scenario: what an instance needs to answer a client's request.
#[derive(Debug, Default)]
pub(crate) struct Callers {
    ends: Vec<Endpoint>,
    reads: Vec<bool>,
}

impl Callers {
    /// Each client's end and whether its group reads, in client order.
    pub fn new(clients: impl Iterator<Item = (Endpoint, bool)>) -> Self {
        let (ends, reads) = clients.unzip();
        Callers { ends, reads }
    }

    /// Where client `c` is.
    #[inline]
    pub fn end(&self, c: ClientId) -> Endpoint {
        self.ends[c.index()]
    }

    /// Whether client `c` reads (through the reader endpoint).
    #[inline]
    pub fn reads(&self, c: ClientId) -> bool {
        self.reads[c.index()]
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

/// Sends `answer` to `caller` at `at`, once the work behind it is done:
/// straight to the client, or
/// back to the proxy node whose connection carried the request.
pub(crate) fn answer_client_at(
    cx: &mut Ctx,
    at: SimTime,
    from: Endpoint,
    callers: &Callers,
    caller: Caller,
    answer: Answer,
) {
    let Caller { client, seq, via } = caller;
    match via {
        Some(Via { node, slot }) => {
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
