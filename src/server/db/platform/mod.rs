//! Deliberately unscoped queries of the platform itself: tenants, users and memberships, sessions
//! and sign-in throttling, and finding an API key by its hash. They serve the platform admin,
//! sign-in and the session store; none of them reads or writes a tenant's configuration or data.
pub mod keys;
pub mod sessions;
pub mod tenants;
pub mod users;
