"""Nothing: coordination's models moved to directory, referrals, appointments, transitions and
core (migrations coordination 0004 and 0005). The app stays installed for its migrations, which
existing databases' history and the new apps' first migrations depend on."""
