//! The bottom vocabulary every layer may use: the ids of the actors, the
//! quorum rules, the kinds of fault a scenario injects, and the kinds of
//! error an application client sees.
//! It depends on nothing but the engine's typed ids.

pub mod fault;
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
    /// The instance already held `max_connections` connections.
    TooManyConnections,
    /// The client's pool had no connection to lend within its acquire
    /// timeout.
    PoolTimeout,
    /// The proxy found no database connection for the request within its
    /// borrow timeout.
    ProxyTimeout,
    /// The proxy's queue was full: it shed the request.
    ProxyShed,
}

/// How many kinds of [`ClientError`] there are.
pub const ERROR_KINDS: usize = ClientError::ALL.len();

impl ClientError {
    /// Every kind, in report order.
    pub const ALL: [ClientError; 9] = [
        ClientError::Timeout,
        ClientError::Refused,
        ClientError::Reset,
        ClientError::ReadOnly,
        ClientError::DnsEmpty,
        ClientError::TooManyConnections,
        ClientError::PoolTimeout,
        ClientError::ProxyTimeout,
        ClientError::ProxyShed,
    ];

    /// The summary key.
    pub fn name(self) -> &'static str {
        match self {
            ClientError::Timeout => "timeout",
            ClientError::Refused => "refused",
            ClientError::Reset => "reset",
            ClientError::ReadOnly => "read_only",
            ClientError::DnsEmpty => "dns_empty",
            ClientError::TooManyConnections => "too_many_connections",
            ClientError::PoolTimeout => "pool_timeout",
            ClientError::ProxyTimeout => "proxy_timeout",
            ClientError::ProxyShed => "proxy_shed",
        }
    }
}
