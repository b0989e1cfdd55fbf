//! `debug-artifact`: debug symbols, crash dumps and similar build leftovers.

use super::engine::FileCtx;
use super::text::file_name;
use super::{Finding, Rule, Severity};

/// The rule.
pub const RULE: Rule = Rule {
    id: "debug-artifact",
    severity: Severity::High,
    summary: "debug symbols or crash dumps (`*.pdb`, `*.dSYM`, core dumps, `*.dmp`)",
    why: "Symbol files carry source paths, function names and sometimes source; core and crash \
          dumps carry process memory, which means environment variables, tokens and user data. \
          They are never meant for a package and are usually large.",
};

fn what(path: &str) -> Option<&'static str> {
    let name = file_name(path).to_ascii_lowercase();
    if path
        .split('/')
        .any(|p| p.to_ascii_lowercase().ends_with(".dsym"))
    {
        return Some("macOS debug symbols (.dSYM)");
    }
    let ext = name.rsplit_once('.').map(|(_, e)| e);
    match ext {
        Some("pdb") => return Some("Windows debug symbols (.pdb)"),
        Some("dmp" | "mdmp") => return Some("crash dump"),
        Some("dwo" | "dwp") => return Some("split DWARF debug info"),
        Some("ilk") => return Some("incremental link state"),
        Some("debug") => return Some("separated debug info"),
        _ => {}
    }
    let core_numbered = name
        .strip_prefix("core.")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    if name == "core"
        || core_numbered
        || name.starts_with("vgcore.")
        || name.starts_with("hs_err_pid")
    {
        return Some("core or crash dump");
    }
    None
}

/// Reports debug leftovers by name.
pub fn check(ctx: &FileCtx<'_>, out: &mut Vec<Finding>) {
    if let Some(what) = what(ctx.name()) {
        out.push(Finding::new(
            &RULE,
            ctx.location(None, None),
            format!("{what} ships in the package"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(what("bin/app.pdb").is_some());
        assert!(what("App.dSYM/Contents/Resources/DWARF/App").is_some());
        assert!(what("core.12345").is_some());
        assert!(what("hs_err_pid4242.log").is_some());
        assert!(what("lib/core.js").is_none(), "core.js is code, not a dump");
        assert!(what("src/core/index.js").is_none());
    }
}
