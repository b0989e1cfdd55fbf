//! Applying a policy to findings: disabled rules, severity overrides, allow entries, expiry.

use crate::rules::{Allowed, Finding, Location, Rule, Severity, registry};

use super::Policy;

/// Reported when an allow entry has expired: the findings it covered block again.
pub const EXPIRED_RULE: Rule = Rule {
    id: "policy-allow-expired",
    severity: Severity::Medium,
    summary: "an `[[allow]]` entry in the policy has passed its `expires` date",
    why: "Allow entries with an expiry are promises to fix something by a date. Once the date \
          passes the entry stops applying, so the findings it covered count again; this \
          finding says which entry lapsed so it can be renewed with a new reason or removed.",
};

/// A calendar date (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    /// Year.
    pub y: i32,
    /// Month 1–12.
    pub m: u32,
    /// Day 1–31.
    pub d: u32,
}

impl Date {
    /// Parses `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Option<Self> {
        let mut it = s.trim().splitn(3, '-');
        let y = it.next()?.parse().ok()?;
        let m = it.next()?.parse().ok()?;
        let d = it.next()?.get(..2)?.parse().ok()?;
        ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some(Self { y, m, d })
    }

    /// Today in UTC.
    pub fn today() -> Self {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Self::from_days(i64::try_from(secs / 86_400).unwrap_or(0))
    }

    /// Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    pub fn from_days(z: i64) -> Self {
        let z = z + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let y = (yoe + era * 400 + i64::from(m <= 2)) as i32;
        Self { y, m, d }
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.y, self.m, self.d)
    }
}

/// Parses `30d`, `12h`, `2w`, `90m` into seconds.
pub fn parse_age(s: &str) -> Option<u64> {
    let s = s.trim();
    let (n, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit())?);
    let n: u64 = n.parse().ok()?;
    let mult = match unit.trim() {
        "m" | "min" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => return None,
    };
    n.checked_mul(mult)
}

/// A severity override moves a rule's default, not its judgement of context: a finding at
/// the default takes the override; one the rule lowered (a placeholder secret, a key under
/// `test/`, a `prepare` script) never rises above where it was; one the rule raised (new since
/// the baseline) never falls below where it was.
pub fn overridden(own: Severity, default: Severity, policy: Severity) -> Severity {
    match own.cmp(&default) {
        std::cmp::Ordering::Equal => policy,
        std::cmp::Ordering::Less => own.min(policy),
        std::cmp::Ordering::Greater => own.max(policy),
    }
}

impl Policy {
    /// Applies the policy: drops disabled rules, overrides severities, marks allowed findings,
    /// and reports lapsed allow entries.
    pub fn apply(&self, findings: Vec<Finding>) -> Vec<Finding> {
        let mut out: Vec<Finding> = findings.into_iter().filter_map(|f| self.judge(f)).collect();
        for a in &self.allow {
            if let Some(exp) = a.expires.filter(|e| *e < self.today) {
                let loc = Location {
                    path: self
                        .source
                        .as_ref()
                        .map_or_else(String::new, |p| p.display().to_string()),
                    ..Location::default()
                };
                out.push(Finding::new(
                    &EXPIRED_RULE,
                    loc,
                    format!("allow entry for {} expired on {exp} ({})", a.path, a.reason),
                ));
            }
        }
        out
    }

    /// One finding as [`Policy::apply`] judges it: `None` when its rule is disabled, else with
    /// the severity override and the allow entry that covers it. Judging twice gives the same
    /// answer, so a rule may fold findings it judged (see [`crate::rules::fold`]) and still
    /// pass them through `apply`.
    pub fn judge(&self, mut f: Finding) -> Option<Finding> {
        if !self.enabled(&f.rule) {
            return None;
        }
        if let Some(sev) = self.severity_for(&f.rule) {
            f.severity = overridden(f.severity, self.default_severity(&f.rule), sev);
        }
        f.allowed = self.allowance(&f);
        Some(f)
    }

    /// The severity a rule reports at when nothing about a finding's context moved it: the
    /// pattern's own for a policy pattern, else the catalogue's.
    fn default_severity(&self, id: &str) -> Severity {
        self.patterns
            .iter()
            .find(|p| p.id == id)
            .map_or_else(|| registry::lookup(id).severity, |p| p.severity)
    }

    fn allowance(&self, f: &Finding) -> Option<Allowed> {
        let a = self.allow.iter().find(|a| {
            a.expires.is_none_or(|e| e >= self.today)
                && a.rule.as_ref().is_none_or(|r| r.is_match(&f.rule))
                && (a.glob.is_match(&f.location.path)
                    || f.location.path.is_empty() && a.path == "*")
        })?;
        Some(Allowed {
            reason: a.reason.clone(),
            expires: a.expires.map(|d| d.to_string()),
            path: a.path.clone(),
        })
    }
}
