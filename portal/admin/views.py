from flask import render_template
from flask_login import current_user

from portal.admin import bp


@bp.route("/")
def home():
    return render_template("admin/home.html", user=current_user)
