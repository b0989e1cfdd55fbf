//! `Policy::parse`, section by section: each function reads one part of the file into the
//! policy, with errors that point at the key (file:line:col) and say how to fix it.

use globset::Glob;

use super::file::{DateValue, PolicyFile};
use super::{Allow, Ctx, Date, INTERNAL, PROFILES, Policy, PolicyError, Profile, apply};

/// `profile = "public" | "internal"`.
pub(super) fn profile(cx: &Ctx<'_>, f: &PolicyFile, p: &mut Policy) -> Result<(), PolicyError> {
    if let Some(prof) = &f.profile {
        p.profile = match prof.get_ref().as_str() {
            "public" => Profile::Public,
            "internal" => Profile::Internal,
            other => {
                return Err(cx.err(
                    prof.span(),
                    format!("unknown profile {other:?}"),
                    format!("known profiles: {}", PROFILES.join(", ")),
                ));
            }
        };
    }
    Ok(())
}

/// The internal profile's built-in severities, then `[profiles.NAME]` and the top-level
/// `disable` and `[severity]`, in that order (later entries win).
pub(super) fn severities(cx: &Ctx<'_>, f: &PolicyFile, p: &mut Policy) -> Result<(), PolicyError> {
    if p.profile == Profile::Internal {
        for (id, sev) in INTERNAL {
            p.severity.push((
                Glob::new(id)
                    .expect("built-in ids are valid globs")
                    .compile_matcher(),
                *sev,
            ));
        }
    }
    let profile_name = if p.profile == Profile::Public {
        "public"
    } else {
        "internal"
    };
    let layers = f
        .profiles
        .iter()
        .filter(|(n, _)| n.get_ref() == profile_name)
        .map(|(_, l)| (&l.disable, &l.severity));
    for (disable, severity) in layers.chain([(&f.disable, &f.severity)]) {
        for d in disable {
            p.disabled.push(cx.rule_glob(d, &p.patterns)?);
        }
        for (id, sev) in severity {
            let spanned = toml::Spanned::new(sev.span(), id.clone());
            p.severity
                .push((cx.rule_glob(&spanned, &p.patterns)?, cx.severity(sev)?));
        }
    }
    Ok(())
}

/// `[[allow]]`: path glob, optional rule, mandatory reason, optional expiry.
pub(super) fn allow(cx: &Ctx<'_>, f: &PolicyFile, p: &mut Policy) -> Result<(), PolicyError> {
    for (nth, a) in f.allow.iter().enumerate() {
        let first_key = [&a.path, &a.rule, &a.reason]
            .into_iter()
            .flatten()
            .map(toml::Spanned::span)
            .chain(a.expires.as_ref().map(toml::Spanned::span))
            .min_by_key(|s| s.start);
        let at = cx.allow_span(nth, first_key);
        let Some(path) = &a.path else {
            return Err(cx.err(
                at,
                "[[allow]] entry without `path`",
                "add path = \"GLOB\" naming the files it lets through, e.g. path = \"dist/**/*.map\"",
            ));
        };
        let Some(reason) = &a.reason else {
            return Err(cx.err(
                at,
                format!("[[allow]] entry for {:?} without `reason`", path.get_ref()),
                "add reason = \"…\" saying why these findings are acceptable; it is shown with every allowed finding",
            ));
        };
        if reason.get_ref().trim().is_empty() {
            return Err(cx.err(
                reason.span(),
                "empty reason",
                "say why this finding is acceptable",
            ));
        }
        let expires = match &a.expires {
            None => None,
            Some(d) => {
                let text = match d.get_ref() {
                    DateValue::Toml(dt) => dt.to_string(),
                    DateValue::Text(t) => t.clone(),
                };
                Some(Date::parse(&text).ok_or_else(|| {
                    cx.err(
                        d.span(),
                        format!("bad date {text:?}"),
                        "write expires = 2026-12-31",
                    )
                })?)
            }
        };
        p.allow.push(Allow {
            path: path.get_ref().clone(),
            glob: cx.glob(path)?,
            rule: a
                .rule
                .as_ref()
                .map(|r| cx.rule_glob(r, &p.patterns))
                .transpose()?,
            reason: reason.get_ref().clone(),
            expires,
        });
    }
    Ok(())
}

/// `[thresholds]`: sizes and growth ratios.
pub(super) fn thresholds(cx: &Ctx<'_>, f: &PolicyFile, p: &mut Policy) -> Result<(), PolicyError> {
    let t = &f.thresholds;
    let th = &mut p.thresholds;
    if let Some(v) = &t.max_file_size {
        th.max_file_size = cx.size(v)?;
    }
    if let Some(v) = &t.size_min_bytes {
        th.size_min_bytes = cx.size(v)?;
    }
    if let Some(v) = &t.nested_max_unpacked {
        th.nested_max_unpacked = cx.size(v)?;
    }
    if let Some(v) = &t.max_file_size
        && th.max_file_size == 0
    {
        return Err(cx.err(
            v.span(),
            "max_file_size = 0 would report every file",
            "write a size like 10M; disable = [\"large-file\"] turns the rule off",
        ));
    }
    // Growth ratios below 1 would fire on a release that did not grow.
    let ratio = "write a growth factor of at least 1.0, e.g. 2.0 for twice the baseline";
    let share = "write a share of the package above 0 and at most 1, e.g. 0.5";
    if let Some(v) = &t.max_file_share {
        th.max_file_share = cx.within(v, "max_file_share", f64::MIN_POSITIVE..=1.0, share)?;
    }
    if let Some(v) = &t.size_ratio {
        th.size_ratio = cx.within(v, "size_ratio", 1.0..=f64::MAX, ratio)?;
    }
    if let Some(v) = &t.files_ratio {
        th.files_ratio = cx.within(v, "files_ratio", 1.0..=f64::MAX, ratio)?;
    }
    if let Some(v) = &t.new_file_ratio {
        th.new_file_ratio = cx.within(v, "new_file_ratio", 1.0..=f64::MAX, ratio)?;
    }
    Ok(())
}

/// `[approval]`: what the sign-off and `verify` require.
pub(super) fn approval(cx: &Ctx<'_>, f: &PolicyFile, p: &mut Policy) -> Result<(), PolicyError> {
    let a = &f.approval;
    p.approval.min_approvers = match &a.min_approvers {
        None => 1,
        Some(count) if *count.get_ref() == 0 => {
            return Err(cx.err(
                count.span(),
                "min_approvers = 0 would let an unapproved release verify",
                "use 1 or more",
            ));
        }
        Some(count) => *count.get_ref(),
    };
    p.approval.required_coverage = a
        .required_coverage
        .as_ref()
        .map(|v| {
            cx.within(
                v,
                "required_coverage",
                0.0..=1.0,
                "write a share of files from 0 to 1, e.g. 0.8 for 80%",
            )
        })
        .transpose()?;
    if let Some(flagged) = a.require_flagged_viewed {
        p.approval.require_flagged_viewed = flagged;
    }
    for rule in &a.unwaivable {
        p.approval
            .unwaivable_globs
            .push(cx.rule_glob(rule, &p.patterns)?);
        p.approval.unwaivable.push(rule.get_ref().clone());
    }
    if let Some(n) = &a.min_waiver_reason {
        p.approval.min_waiver_reason = *n.get_ref();
    }
    if let Some(path) = &a.allowed_signers {
        if path.get_ref().trim().is_empty() {
            return Err(cx.err(
                path.span(),
                "empty allowed_signers path",
                "name a git-style allowed_signers file, e.g. allowed_signers = \".github/allowed_signers\"",
            ));
        }
        p.approval.allowed_signers = Some(path.get_ref().into());
    }
    if let Some(age) = &a.max_approval_age {
        p.approval.max_approval_age = Some(apply::parse_age(age.get_ref()).ok_or_else(|| {
            cx.err(
                age.span(),
                format!("bad duration {:?}", age.get_ref()),
                "write 30d, 12h or 2w",
            )
        })?);
    }
    Ok(())
}
