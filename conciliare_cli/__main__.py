from conciliare_cli.cli import main

main()
