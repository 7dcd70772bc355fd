"""`python -m conciliare_cli.demo.example --out DIR`: build the example call into DIR."""

from conciliare_cli.demo.example.build import main

main()
