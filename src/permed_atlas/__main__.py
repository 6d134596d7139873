from permed_atlas.cli import main

main()
