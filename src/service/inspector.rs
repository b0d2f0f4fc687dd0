//! Who an inspector is and what they are competent for: the key's authority (PPD for plant
//! products, DAH for crocodiles), read inside the request's own database work.

use crate::db::organizations;
use crate::domain::audit::Actor;
use crate::domain::organization::Authority;
use crate::domain::protocol::ProtocolCode;
use crate::error::ApiError;
use diesel::PgConnection;
use uuid::Uuid;

/// An inspector's key before its authority is read: what the HTTP layer knows.
#[derive(Debug, Clone)]
pub struct Inspector {
    pub actor: Actor,
    pub organization_id: Uuid,
}

impl Inspector {
    /// The authority the inspector speaks for.
    pub fn context(&self, connection: &mut PgConnection) -> Result<InspectorContext, ApiError> {
        context(connection, self.actor.clone(), self.organization_id)
    }
}

/// The inspector behind a request and the authority it speaks for.
#[derive(Debug, Clone)]
pub struct InspectorContext {
    pub actor: Actor,
    pub authority: Authority,
    pub authority_organization_id: Uuid,
    pub authority_name: String,
}

/// The protocols an authority is competent for.
pub fn competent_protocols(authority: Authority) -> Vec<ProtocolCode> {
    ProtocolCode::VARIANTS
        .into_iter()
        .filter(|code| code.competent_authority() == authority)
        .collect()
}

/// Loads the authority of an inspector's organisation.
pub fn context(
    connection: &mut PgConnection,
    actor: Actor,
    organization_id: Uuid,
) -> Result<InspectorContext, ApiError> {
    let organization = organizations::find(connection, organization_id)?
        .ok_or_else(|| ApiError::forbidden("The key's organisation no longer exists."))?;
    let authority = organization
        .authority
        .ok_or_else(|| ApiError::forbidden("Only inspectors of PPD or DAH may inspect and decide."))?;
    Ok(InspectorContext {
        actor,
        authority,
        authority_organization_id: organization.id,
        authority_name: organization.name,
    })
}
