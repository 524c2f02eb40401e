//! Studies: many runs of the model, summarized. A sweep runs a scenario
//! over a grid of settings and seeds; the durability study runs years of
//! storage failures and repairs alone. Both cut into shards that merge to
//! exactly the unsharded result. The validation suite runs each published
//! figure's scenario and judges the model against the figure.

pub mod durability;
pub mod grid;
pub mod shard;
pub mod stats;
pub mod sweep;
pub mod validation;
