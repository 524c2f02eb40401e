//! TCP as every actor that holds connections sees it: a close that the
//! network drops is retransmitted, as a FIN is.

use super::context::Ctx;
use super::event::Event;
use super::network::Endpoint;
use super::routes::Reach;
use crate::sim::SimDuration;
use crate::vocab::ids::InstanceId;

/// The first retransmission of a close comes after TCP's minimum
/// retransmission timeout, 200 ms (Linux `TCP_RTO_MIN`), each later one
/// after twice the one before.
const CLOSE_RTO: SimDuration = SimDuration::from_millis(200);

/// Retransmissions of a close before the closing end gives up: 8, what
/// Linux does for a socket the application has closed (`ip-sysctl`:
/// `tcp_orphan_retries` 0, its default, means 8), about 100 s in all.
const CLOSE_RETRIES: u32 = 8;

/// Closes a connection to `inst` from `from`. A close the network drops
/// is retransmitted, so that a connection closed during an outage is
/// closed on the instance once the network heals, as a FIN is; after
/// [`CLOSE_RETRIES`] the instance is left holding it.
pub(crate) fn send_close(
    cx: &mut Ctx,
    reach: &(impl Reach + ?Sized),
    from: Endpoint,
    (inst, incarnation): (InstanceId, u32),
    attempt: u32,
) {
    let to = reach.endpoint(inst);
    let close = Event::Disconnect { inst, incarnation };
    if !cx.send(cx.now(), from, to, close) && attempt < CLOSE_RETRIES {
        let retry = Event::CloseRetransmit {
            from,
            inst,
            incarnation,
            attempt: attempt + 1,
        };
        cx.after(CLOSE_RTO * (1 << attempt), retry);
    }
}
