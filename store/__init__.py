"""Tables, the database engine, migrations and the few hot statements: persistence only."""
