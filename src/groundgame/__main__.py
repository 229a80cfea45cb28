from groundgame.cli import main

raise SystemExit(main())
