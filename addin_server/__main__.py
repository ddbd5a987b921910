from addin_server.cli import main

raise SystemExit(main())
