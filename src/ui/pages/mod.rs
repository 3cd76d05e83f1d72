//! One module per dashboard area.
pub mod admin;
pub mod api_keys;
pub mod coupons;
pub mod events;
pub mod experiences;
pub mod home;
pub mod integrations;
pub mod login;
pub mod methods;
pub mod offers;
pub mod prices;
pub mod products;
pub mod surfaces;
pub mod webhooks;
