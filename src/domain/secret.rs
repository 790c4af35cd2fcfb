//! A string that must never be shown: not in responses, logs, journals or `Debug` output.

use std::fmt;

/// A write-only value (an APNS signing key, an HMS client secret, ...).
///
/// It has no `Display` and no `Serialize`, and its `Debug` prints `***`, so it can only leave the
/// process through an explicit call to [`Secret::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Box<str>);

impl Secret {
    /// Wraps a value that must be kept out of every output.
    pub fn new(value: impl Into<Box<str>>) -> Self {
        Self(value.into())
    }

    /// The raw value, for the few places that must hand it on on purpose (state export).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// `N` write-only values that are always written together, kept like a [`Secret`] but in one
/// allocation: a store holding a million of them pays the allocator's overhead once per record
/// instead of once per value.
#[derive(Clone, PartialEq, Eq)]
pub struct JoinedSecrets<const N: usize> {
    joined: Secret,
    /// Where each value ends in `joined`.
    ends: [u32; N],
}

impl<const N: usize> JoinedSecrets<N> {
    /// Wraps values that must be kept out of every output.
    ///
    /// # Panics
    /// If they add up to 4 GiB or more (request bodies and state files are far smaller).
    pub fn new(values: [&str; N]) -> Self {
        let mut end = 0;
        let ends = values.map(|value| {
            end += value.len();
            u32::try_from(end).expect("secrets add up to less than 4 GiB")
        });
        Self {
            joined: Secret::new(values.concat()),
            ends,
        }
    }

    /// The raw values, in the order given, for the few places that must hand them on on purpose.
    pub fn expose(&self) -> [&str; N] {
        let joined = self.joined.expose();
        let mut start = 0;
        self.ends.map(|end| {
            let end = end as usize;
            let value = &joined[start..end];
            start = end;
            value
        })
    }
}

impl<const N: usize> fmt::Debug for JoinedSecrets<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Each entry prints as the joined secret does: `***`.
        f.debug_list()
            .entries(self.ends.iter().map(|_| &self.joined))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_the_value() {
        let secret = Secret::new("hunter2");
        let shown = format!("{secret:?} {:?}", Some(&secret));
        assert!(!shown.contains("hunter2"), "{shown}");
        assert_eq!(secret.expose(), "hunter2");
    }

    #[test]
    fn joined_values_come_back_apart_and_stay_hidden() {
        let secrets = JoinedSecrets::new(["key", "", "tökén"]);
        assert_eq!(secrets.expose(), ["key", "", "tökén"]);
        assert_eq!(format!("{secrets:?}"), "[***, ***, ***]");
        assert_ne!(secrets, JoinedSecrets::new(["ke", "y", "tökén"]));
        assert_eq!(JoinedSecrets::<0>::new([]).expose(), [""; 0]);
    }
}
