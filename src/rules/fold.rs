//! Folding many findings of one rule into one per policy verdict, as they are made.
//!
//! A package ships source maps and `sourceMappingURL` comments by the thousand or not at all
//! (a 127,000-file tarball had 42,000 references and 40,000 maps): one finding each is noise
//! for a reviewer and, held until the end, most of `check`'s memory. A rule that folds judges
//! each finding with the policy as it makes it ([`super::Policy::judge`], so an allow entry
//! still covers the paths it names), keeps the first of each (severity, allow entry) group
//! whole and only a tally of the rest, and makes one finding per group at the end.

use super::{Allowed, Finding, Severity};

/// How many places a folded finding's evidence lists; its count covers all.
pub const LISTED: usize = 1000;

/// What a group is keyed by: a folded finding stands for findings the policy judged alike.
type Key = (Severity, Option<Allowed>);

/// Groups of judged findings, each its first finding and a tally `T` of all of them.
#[derive(Debug)]
pub struct Groups<T> {
    groups: Vec<(Key, Finding, usize, T)>,
}

impl<T> Default for Groups<T> {
    fn default() -> Self {
        Self { groups: Vec::new() }
    }
}

impl<T: Default> Groups<T> {
    /// Adds a judged finding; returns its group's tally (fresh for a group's first finding).
    pub fn add(&mut self, f: Finding) -> &mut T {
        let key = (f.severity, f.allowed.clone());
        let at = match self.groups.iter().position(|(k, ..)| *k == key) {
            Some(at) => {
                self.groups[at].2 += 1;
                at
            }
            None => {
                self.groups.push((key, f, 1, T::default()));
                self.groups.len() - 1
            }
        };
        &mut self.groups[at].3
    }

    /// Each group: its first finding, how many it holds, and its tally.
    pub fn into_groups(self) -> impl Iterator<Item = (Finding, usize, T)> {
        self.groups.into_iter().map(|(_, f, n, t)| (f, n, t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Location;

    fn at(sev: Severity, allowed: bool, path: &str) -> Finding {
        let mut f = Finding::new(
            &crate::rules::sourcemap_reference::RULE,
            Location {
                path: path.to_owned(),
                ..Location::default()
            },
            String::new(),
        )
        .severity(sev);
        f.allowed = allowed.then(|| Allowed {
            reason: "r".to_owned(),
            expires: None,
            path: "*".to_owned(),
        });
        f
    }

    #[test]
    fn one_group_per_severity_and_verdict_keeping_the_first() {
        let mut g = Groups::<Vec<String>>::default();
        for (sev, allowed, path) in [
            (Severity::Low, false, "a"),
            (Severity::Info, false, "b"),
            (Severity::Low, false, "c"),
            (Severity::Low, true, "d"),
        ] {
            g.add(at(sev, allowed, path)).push(path.to_owned());
        }
        let groups: Vec<_> = g.into_groups().collect();
        assert_eq!(groups.len(), 3);
        assert_eq!(groups[0].0.location.path, "a");
        assert_eq!(
            (groups[0].1, groups[0].2.clone()),
            (2, vec!["a".into(), "c".into()])
        );
        assert_eq!(groups[2].0.location.path, "d", "allowed on its own");
    }
}
