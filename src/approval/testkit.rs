//! Test helpers: real keys from `ssh-keygen`, a real `ssh-agent`, `ssh-keygen -Y verify`.
//!
//! Tests that need OpenSSH call [`Kit::new`] and return early (with a printed note) when
//! `ssh-keygen` is missing; CI installs it, so there they always run.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::dsse::{PAYLOAD_TYPE, pae};
use super::sshsig;
use super::statement::{
    Coverage, FindingRecord, FindingStatus, ManifestDigest, NAMESPACE, Package, PolicyDigest,
    ReleaseReview, ReviewResult, Reviewer, Statement, Subject, SubjectDigest, Tool, Waiver,
};
use super::timestamp::Timestamp;

/// A temporary directory to make keys and files in.
pub struct Kit {
    pub dir: tempfile::TempDir,
}

impl Kit {
    /// `None` (after printing why) when OpenSSH's `ssh-keygen` is not installed.
    pub fn new() -> Option<Kit> {
        let found = Command::new("ssh-keygen")
            .arg("-?")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok();
        if !found {
            // Straight to the stream: libtest captures `eprintln!` of a passing test, and a skip
            // must show in plain `cargo test` output.
            let _ = std::io::Write::write_fmt(
                &mut std::io::stderr(),
                format_args!("note: ssh-keygen not found; skipping a test that needs OpenSSH\n"),
            );
            return None;
        }
        Some(Kit {
            dir: tempfile::tempdir().expect("a temporary directory can be made"),
        })
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Makes a key (`ed25519`, `ecdsa`, `ecdsa384`, `rsa`) with `passphrase` ("" for none).
    pub fn keygen(&self, name: &str, kind: &str, passphrase: &str) -> PathBuf {
        let path = self.path(name);
        let mut cmd = Command::new("ssh-keygen");
        match kind {
            "ecdsa" => cmd.args(["-t", "ecdsa", "-b", "256"]),
            "ecdsa384" => cmd.args(["-t", "ecdsa", "-b", "384"]),
            "rsa" => cmd.args(["-t", "rsa", "-b", "2048"]),
            other => cmd.args(["-t", other]),
        };
        let status = cmd
            .args(["-q", "-N", passphrase, "-C", "test", "-f"])
            .arg(&path)
            .stdin(Stdio::null())
            .status()
            .expect("ssh-keygen runs");
        assert!(status.success(), "ssh-keygen made a {kind} key");
        path
    }

    /// The `.pub` text of a key made by [`Kit::keygen`].
    pub fn public_text(key: &Path) -> String {
        let mut p = key.as_os_str().to_owned();
        p.push(".pub");
        std::fs::read_to_string(PathBuf::from(p)).expect("the .pub file exists")
    }

    /// Writes an allowed_signers file and returns its path.
    pub fn allowed_signers(&self, text: &str) -> PathBuf {
        let path = self.path("allowed_signers");
        std::fs::write(&path, text).expect("allowed_signers is written");
        path
    }

    /// Runs `ssh-keygen -Y verify` on `blob` over `message`; `Err(stderr)` if it refuses.
    pub fn ssh_keygen_verify(
        &self,
        signers: &Path,
        principal: &str,
        message: &[u8],
        blob: &[u8],
    ) -> Result<(), String> {
        let sig = self.path("check.sig");
        std::fs::write(&sig, sshsig::armor(blob)).expect("sig file is written");
        let message_file = std::fs::File::create(self.path("check.msg"))
            .and_then(|mut f| std::io::Write::write_all(&mut f, message))
            .and_then(|()| std::fs::File::open(self.path("check.msg")))
            .expect("message file is written");
        let out = Command::new("ssh-keygen")
            .args(["-Y", "verify", "-n", NAMESPACE, "-f"])
            .arg(signers)
            .arg("-I")
            .arg(principal)
            .arg("-s")
            .arg(&sig)
            .stdin(message_file)
            .output()
            .expect("ssh-keygen runs");
        if out.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }
}

/// A real `ssh-agent -D` on a socket in the kit's directory; killed when dropped.
pub struct Agent {
    child: Child,
    pub socket: PathBuf,
}

impl Agent {
    pub fn start(kit: &Kit) -> Agent {
        let socket = kit.path("agent.sock");
        let child = Command::new("ssh-agent")
            .arg("-D")
            .arg("-a")
            .arg(&socket)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("ssh-agent starts");
        let agent = Agent { child, socket };
        let deadline = Instant::now() + Duration::from_secs(20);
        while !agent.socket.exists() {
            assert!(
                Instant::now() < deadline,
                "ssh-agent made its socket within 20 s"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        agent
    }

    /// `ssh-add`s a key (without a passphrase).
    pub fn add(&self, key: &Path) {
        let status = Command::new("ssh-add")
            .arg("-q")
            .arg(key)
            .env("SSH_AUTH_SOCK", &self.socket)
            .stdin(Stdio::null())
            .status()
            .expect("ssh-add runs");
        assert!(status.success(), "ssh-add added {}", key.display());
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A full statement reviewed at 2025-06-01T12:00:00Z by `reviewer`.
pub fn statement(reviewer: &str) -> Statement {
    let at = Timestamp::parse("2025-06-01T12:00:00Z").expect("fixed time");
    Statement::new(
        Subject {
            name: "left-pad-1.3.0.tgz".into(),
            digest: SubjectDigest {
                sha512: "ab".repeat(64),
                sha256: "cd".repeat(32),
            },
        },
        ReleaseReview {
            result: ReviewResult::Approved,
            reason: None,
            reviewer: Reviewer {
                id: reviewer.into(),
            },
            reviewed_at: at,
            expires_at: Timestamp(at.0 + 7 * 86_400),
            tool: Tool {
                name: "shipcheck".into(),
                version: "0.1.0".into(),
            },
            policy: Some(PolicyDigest {
                sha256: "ef".repeat(32),
            }),
            package: Package {
                name: "left-pad".into(),
                version: "1.3.0".into(),
            },
            manifest: ManifestDigest {
                sha256: "01".repeat(32),
                files: 3,
            },
            coverage: Coverage {
                files_viewed: 2,
                files_total: 3,
                flagged_viewed: 1,
                flagged_total: 1,
                flagged_files_viewed: vec!["package/index.js".into()],
            },
            findings: vec![FindingRecord {
                rule: "install-script".into(),
                severity: "high".into(),
                path: "package/package.json".into(),
                status: FindingStatus::Waived,
            }],
            waivers: vec![Waiver {
                rule: "install-script".into(),
                path: "package/package.json".into(),
                justification: "postinstall only prints a notice".into(),
            }],
        },
    )
}

/// The PAE a statement's envelope signs, for handing to `ssh-keygen`.
pub fn pae_of(statement: &Statement) -> Vec<u8> {
    pae(
        PAYLOAD_TYPE,
        &serde_json::to_vec(statement).expect("statement serialises"),
    )
}
