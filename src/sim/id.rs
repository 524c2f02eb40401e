//! Typed ids for arena-held actors.
//!
//! Actors live in `Vec`s and refer to each other by small integer ids. A
//! distinct type per kind of actor makes it a compile error to index the
//! segments with a node id. Iteration over an arena is in id order, which is
//! creation order, so it is deterministic by construction.

/// Declares a `Copy` id newtype over an unsigned integer, with `index()` for
/// arena access and a `Display` of `prefix` + number.
macro_rules! typed_id {
    ($(#[$meta:meta])* $name:ident($int:ty), $prefix:literal) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        pub struct $name(pub $int);

        impl $name {
            /// Position of this actor in its arena.
            #[inline]
            pub fn index(self) -> usize {
                self.0 as usize
            }

            /// The id of the actor at `index` in its arena.
            #[inline]
            pub fn from_index(index: usize) -> Self {
                $name(<$int>::try_from(index).expect(concat!(stringify!($name), " overflow")))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}{}", $prefix, self.0)
            }
        }
    };
}
pub(crate) use typed_id;

#[cfg(test)]
mod tests {
    typed_id!(
        /// A toy id for the test.
        ToyId(u16),
        "toy-"
    );

    #[test]
    fn ids_round_trip_through_indices() {
        let id = ToyId::from_index(42);
        assert_eq!(id.index(), 42);
        assert_eq!(id.to_string(), "toy-42");
    }
}
