//! The bottom vocabulary every layer may use: the ids of the actors, the
//! quorum rules, and the kinds of error an application client sees.
//! It depends on nothing but the engine's typed ids.

pub mod ids;
pub mod quorum;

/// Why a request failed, as the application sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientError {
    /// No answer within the connect or read timeout.
    Timeout,
    /// The host refused the connection (the database is not running).
    Refused,
    /// The connection was reset (the database process restarted).
    Reset,
    /// A write reached an instance that is not the writer.
    ReadOnly,
    /// The DNS lookup came back empty.
    DnsEmpty,
}

impl ClientError {
    /// Every kind, in report order.
    pub const ALL: [ClientError; 5] = [
        ClientError::Timeout,
        ClientError::Refused,
        ClientError::Reset,
        ClientError::ReadOnly,
        ClientError::DnsEmpty,
    ];

    /// The summary key.
    pub fn name(self) -> &'static str {
        match self {
            ClientError::Timeout => "timeout",
            ClientError::Refused => "refused",
            ClientError::Reset => "reset",
            ClientError::ReadOnly => "read_only",
            ClientError::DnsEmpty => "dns_empty",
        }
    }
}
