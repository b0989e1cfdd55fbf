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
