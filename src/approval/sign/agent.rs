//! Signing through ssh-agent: find the identity, have the agent sign SSHSIG's signed data.

use std::path::Path;

use ssh_key::{HashAlg, PublicKey, SshSig};

use super::SignError;
use crate::approval::sshsig;
use crate::approval::statement::NAMESPACE;

pub(super) fn sign_with_agent(
    pae: &[u8],
    socket: &Path,
    wanted: Option<&PublicKey>,
) -> Result<SshSig, SignError> {
    let agent_err = |source| SignError::Agent {
        socket: socket.to_path_buf(),
        source,
    };
    let mut client = ssh_agent_client_rs::Client::connect(socket).map_err(agent_err)?;
    let identities = agent_keys(&mut client).map_err(agent_err)?;
    let key = match wanted {
        Some(w) => identities
            .into_iter()
            .find(|k| k.key_data() == w.key_data()),
        None => identities.into_iter().next(),
    }
    .ok_or_else(|| SignError::AgentKeyMissing {
        socket: socket.to_path_buf(),
        wanted: wanted.map_or_else(
            || "any key".to_owned(),
            |w| sshsig::fingerprint(w.key_data()),
        ),
    })?;
    let data = SshSig::signed_data(NAMESPACE, HashAlg::Sha512, pae).map_err(SignError::Crypto)?;
    let signature = client.sign(&key, &data).map_err(agent_err)?;
    SshSig::new(
        key.key_data().clone(),
        NAMESPACE,
        HashAlg::Sha512,
        signature,
    )
    .map_err(SignError::Crypto)
}

/// The plain public keys the agent holds (certificates are left out: we sign with keys).
pub(super) fn agent_keys(
    client: &mut ssh_agent_client_rs::Client,
) -> Result<Vec<PublicKey>, ssh_agent_client_rs::Error> {
    Ok(client
        .list_all_identities()?
        .into_iter()
        .filter_map(|identity| match identity {
            ssh_agent_client_rs::Identity::PublicKey(key) => Some(key.into_owned()),
            ssh_agent_client_rs::Identity::Certificate(_) => None,
        })
        .collect())
}
