//! [`FileCtx`]: which file a per-file rule is looking at, and the policy in force. Every
//! per-file rule takes one; the engine makes them.

use super::Location;
use super::policy::Policy;

/// Which file a per-file rule is looking at.
#[derive(Debug, Clone, Copy)]
pub struct FileCtx<'a> {
    /// The entry's index in the artifact.
    pub entry: Option<u32>,
    /// The entry's install path.
    pub path: &'a str,
    /// A file inside the entry: a nested archive's entry or a map's embedded source.
    pub inner: Option<&'a str>,
    /// The policy in force.
    pub policy: &'a Policy,
}

impl FileCtx<'_> {
    /// The innermost name: what name-based rules judge.
    pub fn name(&self) -> &str {
        self.inner.unwrap_or(self.path)
    }

    /// A location in this file.
    pub fn location(&self, line: Option<u32>, column: Option<u32>) -> Location {
        Location {
            entry: self.entry,
            path: self.path.to_owned(),
            inner: self.inner.map(str::to_owned),
            line,
            column,
        }
    }
}

/// A [`Location`] held compactly while a rule collects thousands of them (source maps,
/// `sourceMappingURL` comments): a place in an artifact entry's own file is its index (the
/// path is the entry's, looked up when the finding is made), anything else is kept whole.
#[derive(Debug, Clone)]
pub enum Noted {
    /// A line and column in entry `index`'s own content.
    Entry {
        /// The entry's index.
        index: u32,
        /// As in [`Location::line`].
        line: Option<u32>,
        /// As in [`Location::column`].
        column: Option<u32>,
    },
    /// A place inside the entry (a nested archive's file, a map's source) or outside any.
    Full(Box<Location>),
}

impl FileCtx<'_> {
    /// A compact [`FileCtx::location`].
    pub fn noted(&self, line: Option<u32>, column: Option<u32>) -> Noted {
        match (self.entry, self.inner) {
            (Some(index), None) => Noted::Entry {
                index,
                line,
                column,
            },
            _ => Noted::Full(Box::new(self.location(line, column))),
        }
    }
}

impl Noted {
    /// The location in `a`, the artifact the note was made in.
    pub fn location(&self, a: &crate::artifact::Artifact) -> Location {
        match self {
            Noted::Entry {
                index,
                line,
                column,
            } => Location {
                entry: Some(*index),
                path: a
                    .entries
                    .get(*index as usize)
                    .map_or_else(String::new, |e| e.path.clone()),
                inner: None,
                line: *line,
                column: *column,
            },
            Noted::Full(l) => (**l).clone(),
        }
    }

    /// True for a place inside the entry (a nested archive's file, a map's source).
    pub fn is_inner(&self) -> bool {
        matches!(self, Noted::Full(l) if l.inner.is_some())
    }
}
