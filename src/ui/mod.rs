//! The dashboard's views: the shell (`layout`), shared form pieces (`components`) and one
//! module per area under `pages`.
pub mod components;
pub mod layout;
pub mod pages;
