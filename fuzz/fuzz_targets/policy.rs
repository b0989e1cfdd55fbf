//! The policy parser (`shipcheck.toml`): any text gives a policy or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shipcheck::rules::Policy;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(policy) = Policy::parse("shipcheck.toml", text) {
        // What a parsed policy is asked during a scan.
        let _ = policy.pattern_rules();
        let _ = policy.approval.lifetime();
        let _ = policy.enabled("secret-aws");
    }
});
