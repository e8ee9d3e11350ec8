from kalan.cli import app

app(prog_name="kalan")
