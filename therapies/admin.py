"""Admin for therapies and their safety facts; formulations are edited under their therapy."""

from django.contrib import admin

from config.admin import SimpleHistoryAdmin, TabularInline
from config.admin_lists import LIST_OVERRIDES

from .models import (
    AdverseEffect,
    AdverseEffectReference,
    Contraindication,
    ContraindicationReference,
    Formulation,
    FormulationReference,
    RegulatoryStatus,
    Therapy,
)


class FormulationInline(TabularInline):
    """Listed under the therapy; added on their own page, where their sources are cited."""

    model = Formulation
    extra = 0
    fields = ["brand", "manufacturer", "stabiliser", "iga_content", "route", "notes"]
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class RegulatoryStatusInline(TabularInline):
    model = RegulatoryStatus
    extra = 0
    autocomplete_fields = ["condition", "reference"]
    required_foreign_keys = ("reference",)


class _SourceInline(TabularInline):
    """A fact's references: at least one, so that every fact shown names its source."""

    extra = 0
    min_num = 1
    validate_min = True
    autocomplete_fields = ["reference"]


class FormulationReferenceInline(_SourceInline):
    model = FormulationReference


@admin.register(Therapy)
class TherapyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "drug_class"]
    search_fields = ["name", "slug", "aliases", "drug_class"]
    list_filter = ["drug_class"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [FormulationInline, RegulatoryStatusInline]
    formfield_overrides = LIST_OVERRIDES  # aliases, one field per alias


@admin.register(Formulation)
class FormulationAdmin(SimpleHistoryAdmin):
    list_display = ["brand", "therapy", "manufacturer", "stabiliser", "route", "iga_content"]
    list_filter = ["stabiliser", "route", "therapy"]
    search_fields = ["brand", "manufacturer", "therapy__name"]
    list_select_related = ["therapy"]
    inlines = [FormulationReferenceInline]


class AdverseEffectReferenceInline(_SourceInline):
    model = AdverseEffectReference


@admin.register(AdverseEffect)
class AdverseEffectAdmin(SimpleHistoryAdmin):
    list_display = ["name", "therapy", "frequency", "severity", "frequency_note"]
    list_filter = ["severity", "frequency", "therapy"]
    search_fields = ["name", "notes", "therapy__name"]
    list_select_related = ["therapy"]
    inlines = [AdverseEffectReferenceInline]


class ContraindicationReferenceInline(_SourceInline):
    model = ContraindicationReference


@admin.register(Contraindication)
class ContraindicationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "therapy", "kind"]
    list_filter = ["kind", "therapy"]
    search_fields = ["name", "reason", "therapy__name"]
    list_select_related = ["therapy"]
    inlines = [ContraindicationReferenceInline]


@admin.register(RegulatoryStatus)
class RegulatoryStatusAdmin(SimpleHistoryAdmin):
    list_display = ["therapy", "condition", "agency", "status", "date"]
    list_filter = ["agency", "status", "therapy"]
    search_fields = ["therapy__name", "condition__name", "notes"]
    autocomplete_fields = ["therapy", "condition", "reference"]
    required_foreign_keys = ("reference",)
    list_select_related = ["therapy", "condition"]
